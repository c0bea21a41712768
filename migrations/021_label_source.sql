-- issue 15: a member's 👍/👎 on a 智能机器人 answer (feedback_event) is a label too. answer_labels.source
-- already tells an agent's verdict ('agent_feedback', 'agent_answer') from the platform's ('platform');
-- one row per message stays, and the customer's verdict is kept beside whatever wins:
-- the row's verdict is the agent's when an agent rated the message (it wins for calibration and the
-- training export), else the customer's (source 'platform'); customer_verdict always holds the
-- customer's latest verdict (null when none or withdrawn).
ALTER TABLE answer_labels ADD COLUMN customer_verdict text CHECK (customer_verdict IN ('good', 'bad'));
ALTER TABLE answer_labels ADD COLUMN customer_at timestamptz;
