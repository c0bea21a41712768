/**
 * issue 14 item 3: quick replies (快捷回复), canned texts an agent inserts from the reply box.
 * A shared one (ownerId null) is seen by everyone and managed by admins; a personal one is seen
 * and managed by its owner only. Texts keep their variables ({客户} …): the console expands them.
 */

export interface QuickReply {
  id: string;
  /** null: shared with everyone. */
  ownerId: string | null;
  title: string;
  text: string;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewQuickReply {
  ownerId: string | null;
  title: string;
  text: string;
  createdBy: string;
}

export interface QuickReplyStore {
  /** The shared ones and `ownerId`'s own: shared first, then by title. */
  listVisibleTo(ownerId: string): Promise<QuickReply[]>;
  get(id: string): Promise<QuickReply | null>;
  /** null when the owner (or the shared set) already has that title. */
  create(reply: NewQuickReply): Promise<QuickReply | null>;
  /**
   * Changes title and/or text. Answers 'duplicate' when the new title is taken in the same set,
   * null when the row is gone.
   */
  update(id: string, patch: { title?: string; text?: string }): Promise<QuickReply | 'duplicate' | null>;
  /** False when the row was already gone. */
  remove(id: string): Promise<boolean>;
}
