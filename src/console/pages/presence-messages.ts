/**
 * Strings of fair assignment (issue 14 item 4): the presence selector in the header, the channel
 * form's assignment setting, capacity on the users page, the dashboard's per-agent table and the
 * audit rows of auto-assignments. Merged into the console's dictionaries by i18n.ts.
 */
export const presenceMessages = {
  'zh-CN': {
    'presence.label': '我的状态',
    'presence.online': '在线',
    'presence.away': '离开',
    'presence.offline': '离线',
    'presence.hint.online': '在线：会自动分配新会话',
    'presence.hint.away': '离开：保留已接会话，不会分配新会话',
    'presence.hint.offline': '离线：不会自动分配新会话',
    'presence.saveFailed': '状态没有保存：{error}',
    'error.PRESENCE.NOT_A_USER': '管理令牌没有在线状态，请用账号登录',

    'admin.channels.assignment': '新会话分配',
    'admin.channels.assignment.manual': '手动：排队等客服接手',
    'admin.channels.assignment.auto': '自动：分给在线且最空闲的客服',
    'admin.channels.assignmentHelp': '自动分配只分给状态为“在线”且未到接待上限的客服（进行中会话最少的优先）；没有合适的客服时，会话留在队列里，有人上线或结束会话时再分配。',

    'admin.users.capacity': '接待上限',
    'admin.users.capacityOf': '{name} 的接待上限',
    'admin.users.capacityHelp': '自动分配时最多同时接待的会话数（1–100）',
    'admin.users.capacityChanged': '已把 {name} 的接待上限改为 {n}',
    'admin.users.capacityRange': '接待上限须是 1 到 100 的整数',
    'admin.users.presence': '状态',

    'admin.dashboard.agents.title': '客服接待情况（今天）',
    'admin.dashboard.agents.help': '进行中：现在分配给该客服、尚未结束的会话。首次响应：会话到达该客服（转人工或分配、转交）到其第一条回复的时间，统计今天 0 点（{since}）以来的回复。',
    'admin.dashboard.agents.name': '客服',
    'admin.dashboard.agents.presence': '状态',
    'admin.dashboard.agents.open': '进行中 / 上限',
    'admin.dashboard.agents.firstResponse': '首次响应中位数',
    'admin.dashboard.agents.closed': '今日结束',
    'admin.dashboard.agents.responses': '共 {n} 次',
    'admin.dashboard.agents.none': '还没有可以接待的客服账号。',
    'admin.dashboard.agents.full': '已满',
    'admin.dashboard.agents.since': '自 {time}',

    'audit.verb.conversation.autoAssigned': '把{target}自动分配给 {to}',
    'audit.field.capacity': '接待上限',
    'audit.capacityChange': '接待上限从 {from} 改为 {to}',
  },
  en: {
    'presence.label': 'My status',
    'presence.online': 'Online',
    'presence.away': 'Away',
    'presence.offline': 'Offline',
    'presence.hint.online': 'Online: new chats are assigned to you',
    'presence.hint.away': 'Away: you keep your chats but get no new ones',
    'presence.hint.offline': 'Offline: no new chats are assigned to you',
    'presence.saveFailed': 'Status not saved: {error}',
    'error.PRESENCE.NOT_A_USER': 'The admin token has no status; sign in with an account',

    'admin.channels.assignment': 'New chats',
    'admin.channels.assignment.manual': 'Manual: they wait in the queue for an agent',
    'admin.channels.assignment.auto': 'Automatic: to the least busy online agent',
    'admin.channels.assignmentHelp': 'Automatic assignment only picks agents who are Online and below their capacity (fewest open chats first). When nobody fits, the chat waits in the queue until someone comes online or closes a chat.',

    'admin.users.capacity': 'Capacity',
    'admin.users.capacityOf': 'Capacity of {name}',
    'admin.users.capacityHelp': 'Open chats automatic assignment gives them at most (1–100)',
    'admin.users.capacityChanged': 'Capacity of {name} set to {n}',
    'admin.users.capacityRange': 'Capacity must be a whole number from 1 to 100',
    'admin.users.presence': 'Status',

    'admin.dashboard.agents.title': 'Agents today',
    'admin.dashboard.agents.help': 'Open: chats assigned to the agent now and not closed. First response: from a chat reaching the agent (handoff, assignment or transfer) to their first reply, over replies since midnight ({since}).',
    'admin.dashboard.agents.name': 'Agent',
    'admin.dashboard.agents.presence': 'Status',
    'admin.dashboard.agents.open': 'Open / capacity',
    'admin.dashboard.agents.firstResponse': 'Median first response',
    'admin.dashboard.agents.closed': 'Closed today',
    'admin.dashboard.agents.responses': '{n} replies',
    'admin.dashboard.agents.none': 'No accounts can take chats yet.',
    'admin.dashboard.agents.full': 'full',
    'admin.dashboard.agents.since': 'since {time}',

    'audit.verb.conversation.autoAssigned': 'assigned {target} to {to} automatically',
    'audit.field.capacity': 'capacity',
    'audit.capacityChange': 'capacity from {from} to {to}',
  },
};
