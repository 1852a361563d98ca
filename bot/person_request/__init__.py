"""Whether a message asks for a person (no Rasa import).

A young person who asks to speak to someone, complains about their PA, says their PA
is away or not answering, or asks "is anyone there" gets a route to a person, not an
entitlement answer. The patterns are reviewed data (``data/requests.yml``, read by
:mod:`bot.person_request.rules`); :mod:`bot.person_request.recogniser` applies them.
The Rasa component :mod:`bot.rasa_plugins.person_request` is a thin wrapper.
"""
