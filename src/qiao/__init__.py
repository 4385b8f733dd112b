"""Qiao 桥 — customer relationship and customer service for a customer service department."""
