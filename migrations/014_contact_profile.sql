-- issue 14 item 1, "who the customer is": a free-text note on each contact that every agent shares
-- (a standing order, a difficult customer, a VIP), with who saved it last and when. The note lives on
-- the contact, not on a conversation, so it follows the customer across visits (DESIGN keeps one
-- conversation row per contact; closing and reopening moves that row). NULL: no note. The length is
-- checked here as well as at the API (2000 characters), so no other writer can store a novel.
ALTER TABLE contacts ADD COLUMN note text CHECK (note IS NULL OR char_length(note) <= 2000);
ALTER TABLE contacts ADD COLUMN note_updated_by text;
ALTER TABLE contacts ADD COLUMN note_updated_at timestamptz;
