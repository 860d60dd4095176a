"""Named read queries, one module per subject; each answers one question a reply or a rule
needs, in one or a few indexed statements. Nothing here writes."""
