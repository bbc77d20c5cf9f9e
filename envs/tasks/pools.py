"""What task parameters are drawn from: names, numbers, messages, note texts, labels, file names.

Several entries are deliberately non-ASCII (accents, CJK, emoji): typing them needs the ADBKeyBoard path
and storing them needs UTF-8 all the way down, so a benchmark run exercises both. Every draw goes through
the ``random.Random`` a task's ``params(seed)`` hands in, so a seed always gives the same values.
"""

from __future__ import annotations

import random

FIRST_NAMES = (
    "Zoë", "José", "Søren", "Amélie", "Björn", "Łukasz", "Chloé", "Mateo", "Yuki", "Ngozi", "Priya", "Olumide",
    "François", "Ingrid", "Tomás", "Aiko", "Rafael", "Hannah", "Kwame", "Lena", "Marco", "Nadia", "Oscar", "Sofia",
)  # fmt: skip
LAST_NAMES = (
    "Núñez", "Ødegaard", "Lefèvre", "Åström", "Wójcik", "Dubois", "García", "Tanaka", "Okonkwo", "Sharma",
    "Adeyemi", "Müller", "Rossi", "Kowalski", "Nguyen", "Haddad", "Larsen", "Moreau", "Silva", "Novak",
)  # fmt: skip
CJK_NAMES = ("李伟", "王芳", "张敏", "陈静", "山田太郎", "佐藤花子")

SMS_TEXTS = (
    "Café at 5? ☕", "Merci beaucoup!", "¿Dónde estás?", "Bis später 👋", "See you at the station",
    "Running late, 10 min", "Can you call me back?", "Happy birthday! 🎂", "Dinner is ready", "OK, sounds good",
    "Meeting moved to 3pm", "晚上见", "Don't forget the keys", "I'll bring the tickets", "Bonne nuit 🌙",
)  # fmt: skip
INCOMING_TEXTS = (
    "Did you get my email?", "Where should we meet?", "Are you free on Friday?", "The package arrived 📦",
    "Can you pick up milk?", "Lunch tomorrow?", "Call me when you land", "Ça va bien ?", "Guess who I just met!",
)  # fmt: skip
NOTE_TITLES = (
    "Packing list", "Gift ideas", "Réunion lundi", "Ideen für Urlaub", "待办事项", "Book club", "Garden plans",
    "Weekend chores", "Recettes préférées", "Workout plan",
)  # fmt: skip
NOTE_BODIES = (
    "Passport, charger, sunscreen", "Call the plumber at 9", "Crème brûlée for dessert", "买牛奶和鸡蛋",
    "Read chapter 4 before Thursday", "Buy seeds: basil, thyme, mint", "Water the plants 🌱",
    "Renew the library card", "Ask Ana about the trip", "Yoga at 7, run at 6",
)  # fmt: skip
EXTRA_LINES = ("Don't forget the umbrella ☂", "Bring snacks", "Confirm with Léa", "Check the weather", "完成报告")
ALARM_LABELS = ("Gym", "Café ☕", "Réveil", "Take meds", "Standup", "Pick up kids", "Yoga", "早起")
SEARCH_QUERIES = ("pizza", "coffee", "sushi", "pharmacy", "museum", "café", "gas station", "park", "grocery store")
FILE_STEMS = ("invoice_2024", "boarding_pass", "résumé_final", "meeting_notes", "tax_return", "recipe_card",
              "lease_agreement", "photo_list")  # fmt: skip
DOMAINS = ("example.com", "mail.test", "inbox.example.org")


def person_name(rng: random.Random, cjk_share: float = 0.15) -> str:
    """A full name; mostly Latin with diacritics, sometimes CJK."""
    if rng.random() < cjk_share:
        return rng.choice(CJK_NAMES)
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def phone_number(rng: random.Random) -> str:
    """A US-style number as people type it: ``+1 555-234-5678`` (555 keeps it fictional; the last four
    digits start at 2000, above the simulated phone's seeded contacts, so a drawn number is never theirs)."""
    return f"+1 555-{rng.randint(200, 989)}-{rng.randint(2000, 9999)}"


def email_for(rng: random.Random) -> str:
    user = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(5, 8)))
    return f"{user}{rng.randint(1, 99)}@{rng.choice(DOMAINS)}"


def clock_time(rng: random.Random) -> tuple[int, int]:
    """An (hour, minute) pair on a 5-minute grid that no seeded alarm uses (those are 5-9 h and 7:00)."""
    hour = rng.choice([h for h in range(24) if not 5 <= h <= 9])
    return hour, rng.randrange(0, 60, 5)


def time_12h(hour: int, minute: int) -> str:
    """``7:05 AM`` - how the Clock app and people write times."""
    return f"{(hour % 12) or 12}:{minute:02d} {'AM' if hour < 12 else 'PM'}"


def digits(text: str | None) -> str:
    """The digits of a phone number, for comparing numbers written differently."""
    return "".join(c for c in text or "" if c.isdigit())
