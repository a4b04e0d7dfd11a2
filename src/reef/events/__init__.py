"""Live events: services record them in the session (``outbox.record``); the request publishes
them on the app's bus only after its transaction commits, so nothing uncommitted is ever seen."""
