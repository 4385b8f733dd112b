"""Delivery: the copies of the inbox's messages that leave the server (e-mail, group robots),
their outbox, the channels that send them and the worker's tasks. Reads the inbox, never the
other way round."""
