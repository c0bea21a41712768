/**
 * The widget's only styles. They live in its shadow root, so the shop's CSS cannot reach inside,
 * and `all: initial` stops the shop's inherited font, colour and line height at the host.
 * Pixel sizes on purpose: a shop's `html { font-size: 10px }` must not shrink the chat.
 */
export const css = `
:host { all: initial !important; }
.root { all: initial; font: 14px/1.5 system-ui, -apple-system, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; color: #111827; }
.root *, .root *::before, .root *::after { box-sizing: border-box; }
button, textarea { font: inherit; color: inherit; margin: 0; }
.bubble { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; width: 56px; height: 56px; padding: 0; border: 0; border-radius: 50%;
  display: flex; align-items: center; justify-content: center; background: #2563eb; color: #fff; cursor: pointer; box-shadow: 0 6px 20px rgba(0,0,0,.25); }
.bubble:hover { background: #1d4ed8; }
.bubble svg { width: 28px; height: 28px; fill: currentColor; }
.badge { position: absolute; top: 4px; right: 4px; width: 12px; height: 12px; border-radius: 50%; background: #ef4444; border: 2px solid #fff; }
.badge[hidden], .panel[hidden], .retry[hidden] { display: none; }
.bubble:focus-visible, .close:focus-visible, .send:focus-visible, .retry:focus-visible { outline: 3px solid #93c5fd; outline-offset: 2px; }
.panel { position: fixed; right: 20px; bottom: 88px; z-index: 2147483000; width: 360px; height: 520px; max-height: calc(100vh - 108px);
  display: flex; flex-direction: column; overflow: hidden; background: #fff; border-radius: 12px; box-shadow: 0 12px 40px rgba(0,0,0,.25); }
.head { display: flex; align-items: center; gap: 8px; padding: 12px 12px 12px 16px; background: #2563eb; color: #fff; }
.heading { flex: 1; min-width: 0; }
.title { display: block; font-size: 16px; font-weight: 600; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.state { display: flex; align-items: center; gap: 6px; font-size: 12px; opacity: .9; }
.state::before { content: ""; width: 8px; height: 8px; border-radius: 50%; background: #fbbf24; }
.state[data-state="online"]::before { background: #4ade80; }
.state[data-state="offline"]::before { background: #f87171; }
.state[data-state="paused"]::before { background: #9ca3af; }
.pause { margin: 0; padding: 10px 16px; background: #fffbeb; color: #92400e; border-bottom: 1px solid #fde68a; font-size: 13px; }
.pause[hidden] { display: none; }
.close { width: 32px; height: 32px; padding: 0; border: 0; border-radius: 6px; background: transparent; color: #fff; font-size: 22px; line-height: 1; cursor: pointer; }
.close:hover { background: rgba(255,255,255,.15); }
.log { flex: 1; overflow-y: auto; padding: 12px; background: #f9fafb; display: flex; flex-direction: column; gap: 8px; }
.msg { max-width: 80%; padding: 8px 12px; border-radius: 12px; white-space: pre-wrap; overflow-wrap: anywhere; }
.greeting, .bot, .agent { align-self: flex-start; background: #fff; border: 1px solid #e5e7eb; }
.agent { border-color: #f59e0b; }
.visitor { align-self: flex-end; background: #2563eb; color: #fff; }
.visitor.sending { opacity: .6; }
.visitor.held { opacity: .75; border: 1px dashed #1e40af; }
.visitor.failed { background: #fee2e2; color: #991b1b; }
.who { display: block; font-size: 12px; color: #6b7280; }
.note { display: block; font-size: 12px; }
.retry { margin-left: 6px; padding: 0; border: 0; background: none; color: inherit; text-decoration: underline; cursor: pointer; }
.form { display: flex; align-items: flex-end; gap: 8px; padding: 10px 12px; border-top: 1px solid #e5e7eb; background: #fff; }
.label { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.input { flex: 1; min-height: 40px; max-height: 120px; padding: 9px 10px; resize: none; border: 1px solid #d1d5db; border-radius: 8px; background: #fff; line-height: 20px; }
.input:focus { outline: 2px solid #2563eb; outline-offset: -1px; border-color: #2563eb; }
.send { height: 40px; padding: 0 16px; border: 0; border-radius: 8px; background: #2563eb; color: #fff; cursor: pointer; }
.send:disabled { background: #93c5fd; cursor: default; }
@media (max-width: 480px) {
  .panel { inset: 0; width: auto; height: auto; max-height: none; border-radius: 0; }
  .root.open .bubble { display: none; }
}
`;
