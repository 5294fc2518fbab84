"""Pure domain rules: the check-in steps, parsing, the poortwachter timeline, schedules, ACT, safety screening,
flags and the privacy policy. No database, no Telegram, no clock reads: plain functions of their arguments
(the ACT library and other word lists are read from `content/`). May import: `content`, the standard library."""
