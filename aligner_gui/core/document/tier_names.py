"""The names of the tiers the aligner makes: one place, read by the document, outputs and views."""

WORD_TIER = "words"
CHAR_TIER = "chars"  # child of WORD_TIER
PHONE_TIER = "phones"  # what phonetic aligners (MFA, WebMAUS) call theirs: a child of words too
DOUBTFUL_TIER = "doubtful"  # regions where audio and transcript seem not to match
