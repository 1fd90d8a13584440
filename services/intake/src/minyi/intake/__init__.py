"""Intake: the front door for every channel; owns submissions and citizens' contact data."""
