"""Entitlements packs: each care leaver's own list of what they can get, sent by a link.

- :mod:`bot.packs.contents`: what applies to a care leaver, from the published content;
- :mod:`bot.packs.service`: making, sending, opening and acknowledging a pack;
- :mod:`bot.packs.offers`: the scheduler's job that offers a pack again (birthdays,
  content changes) and sends the nudges (:mod:`bot.nudges`);
- :mod:`bot.packs.page`: the public page that shows one pack.

No Rasa import: the public page's channel is in :mod:`bot.channels.pack`.
"""
