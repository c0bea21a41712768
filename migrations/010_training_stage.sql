-- issue 13 item 1: the LoRA recipe's stages (分阶段). Each knowledge entry says which stage its
-- answer trains: basic Q&A, promotions, complaint handling. Pairs whose answer matches an entry get
-- the entry's stage in the training export.
ALTER TABLE knowledge ADD COLUMN stage text NOT NULL DEFAULT 'basic' CHECK (stage IN ('basic', 'promotion', 'emotion'));
