"""Exercises and drills that test the security plans (ISO 28000 8.6).

Kept inside the incidents app (DESIGN.md places `Exercise` there: an exercise rehearses the
response to an incident and may replay one), in its own small package so that the incident
modules stay short: models, services, registers, forms, filters, dashboard, review input and
evidence-pack section. Its model is imported by `incidents.models`, so it is an incidents model
(`incidents.exercise`) with its migrations in the app's.
"""
