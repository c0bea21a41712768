-- issue 13: a model reply that only promises a person (为您转接人工客服) hands the chat off with its
-- own reason, so the promise is kept and the dashboard can tell it from low confidence.
ALTER TABLE conversations DROP CONSTRAINT conversations_handoff_reason_check;
ALTER TABLE conversations ADD CONSTRAINT conversations_handoff_reason_check
  CHECK (handoff_reason IN ('low_confidence', 'customer_request', 'keyword', 'model_unavailable',
                            'unsupported_message', 'repeat_question', 'bot_disabled', 'delivery_failed',
                            'model_declined'));
