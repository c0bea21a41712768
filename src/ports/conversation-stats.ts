/** Figures for the admin dashboard (issue #5). Placeholder shape: filled in by the console work. */
export interface DashboardStats {
  since: Date;
}

export interface ConversationStats {
  dashboard(since: Date, bucket: 'hour' | 'day'): Promise<DashboardStats>;
}
