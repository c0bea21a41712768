/** Everything the visitor reads. zh-CN first; data-lang="en" (or en-*) picks English. */
const zh = {
  title: '在线客服',
  open: '打开在线客服',
  openUnread: '打开在线客服（有新消息）',
  close: '关闭',
  greeting: '您好，请问有什么可以帮您？',
  inputLabel: '输入消息',
  placeholder: '输入消息，Enter 发送',
  send: '发送',
  connecting: '连接中…',
  online: '在线',
  offline: '连接已断开，正在重连…',
  /** The channel is disabled (issue 14 item 5): known, but nobody answers now. */
  paused: '暂停服务',
  held: '客服暂停服务中，恢复后自动发送',
  sending: '发送中…',
  failed: '发送失败',
  tooFast: '发送太频繁，请稍后再试',
  retry: '重试',
  bot: '智能客服',
  agent: '人工客服',
};

export type Strings = typeof zh;

const en: Strings = {
  title: 'Chat with us',
  open: 'Open chat',
  openUnread: 'Open chat (new messages)',
  close: 'Close',
  greeting: 'Hi! How can we help?',
  inputLabel: 'Message',
  placeholder: 'Type a message',
  send: 'Send',
  connecting: 'Connecting…',
  online: 'Online',
  offline: 'Offline, reconnecting…',
  paused: 'Paused',
  held: 'Chat is paused; this will be sent when we are back',
  sending: 'Sending…',
  failed: 'Not sent',
  tooFast: 'Too many messages, please wait a moment',
  retry: 'Retry',
  bot: 'Assistant',
  agent: 'Agent',
};

export function stringsFor(lang: string | undefined): Strings {
  return lang && /^en\b/i.test(lang) ? en : zh;
}
