"""Feeds: a submolt's posts, and an agent's personal feed of subscriptions and follows."""
