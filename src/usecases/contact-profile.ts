import { visitsOf, type Visit } from '../domain/contact-visits.js';
import { NotFoundError, ValidationError } from '../domain/errors.js';
import { MAX_CONTACT_NOTE_CHARS, type ContactRecord } from '../ports/contact-directory.js';
import type { CoreDeps } from './deps.js';
import type { Actor } from '../domain/user.js';

/**
 * How much history the visits are cut from: the latest messages of the contact's conversation. A
 * customer with more than this has their oldest visits left out, never a wrong one shown.
 */
export const VISIT_HISTORY_LIMIT = 5000;

export interface ContactProfile extends ContactRecord {
  /** Their earlier (and current) conversations, newest first (issue 14 item 1). */
  visits: Visit[];
}

const notFound = (contactId: string) => new NotFoundError('CONTACT.NOT_FOUND', `contact ${contactId} does not exist`);

async function withVisits(deps: CoreDeps, contact: ContactRecord): Promise<ContactProfile> {
  const timeline = contact.conversation ? await deps.contacts.timeline(contact.conversation.id, VISIT_HISTORY_LIMIT) : [];
  return { ...contact, visits: visitsOf(timeline, contact.conversation?.assigneeId ?? null) };
}

/** The contact panel (issue 14 item 1): who the customer is, their note and their visits. */
export async function getContactProfile(deps: CoreDeps, contactId: string): Promise<ContactProfile> {
  const contact = await deps.contacts.get(contactId);
  if (!contact) throw notFound(contactId);
  return withVisits(deps, contact);
}

/**
 * Saves the note every agent shares on a contact; '' (or only spaces) clears it. Last write wins:
 * a note is a shared scratchpad, not a document under review, and the panel shows who saved it
 * when. Audited without the text (it may name the customer's private matters) and announced as
 * an update of the contact's conversation, which every open console already listens for.
 */
export async function saveContactNote(deps: CoreDeps, actor: Actor, contactId: string, note: string): Promise<ContactProfile> {
  const text = note.trim();
  if ([...text].length > MAX_CONTACT_NOTE_CHARS) throw new ValidationError(`note: at most ${MAX_CONTACT_NOTE_CHARS} characters`);
  const saved = await deps.contacts.saveNote(contactId, text === '' ? null : text, actor.id);
  if (!saved) throw notFound(contactId);
  await deps.audit.record({ actor: actor.id, action: 'contact.note', target: `contact:${contactId}`, details: { cleared: text === '', chars: [...text].length } });
  if (saved.conversation) {
    await deps.events
      .publish({ type: 'conversation.updated', conversationId: saved.conversation.id, channelId: saved.channel.id, status: saved.conversation.status })
      .catch(() => undefined);
  }
  return withVisits(deps, saved);
}
