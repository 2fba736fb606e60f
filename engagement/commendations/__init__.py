"""Commendations: titles catalogue, annual ratings, registration, initiatives, eligibility."""
