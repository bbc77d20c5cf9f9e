"""Seeded content: the same seed gives the same contacts, messages, alarms, notes and places."""

from __future__ import annotations

import random
from dataclasses import dataclass

from ..appdata import PLACE_KINDS

FIRST = [
    "Alice",
    "Bob",
    "Carmen",
    "David",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jamal",
    "Kira",
    "Liam",
    "Maya",
    "Noah",
    "Olga",
    "Pedro",
    "Quinn",
    "Rosa",
    "Sam",
]
LAST = [
    "Anderson",
    "Brooks",
    "Chen",
    "Diaz",
    "Evans",
    "Fischer",
    "Garcia",
    "Hughes",
    "Ito",
    "Jones",
    "Khan",
    "Lopez",
    "Meyer",
    "Nakamura",
    "Okafor",
    "Patel",
]
MESSAGES = [
    "Are we still on for lunch tomorrow?", "Running 10 minutes late, sorry!", "Can you send me the address?",
    "Happy birthday! 🎉", "Did you see the game last night?", "Thanks for your help today.",
    "Call me when you get a chance.", "The meeting moved to 3pm.", "Don't forget to bring the charger.",
    "Your package has been delivered.", "See you at the gym at 7?", "I'll pick up groceries on the way home.",
]  # fmt: skip
REPLIES = ["Sure, sounds good!", "On my way.", "Ok 👍", "Thanks!", "Let me check and get back to you.", "Yes!"]
NOTES = {
    "Shopping list": "Milk\nEggs\nBread\nCoffee beans\nApples",
    "Trip ideas": "Lisbon in spring\nKyoto in autumn\nHiking in the Alps",
    "Books to read": "The Pragmatic Programmer\nDune\nThe Left Hand of Darkness",
    "Meeting notes": "Discuss Q3 roadmap\nAssign owners for the launch\nNext sync on Friday",
    "Recipes": "Pancakes: flour, milk, eggs, sugar, butter",
}


@dataclass(frozen=True)
class Place:
    name: str
    category: str
    tags: tuple[str, ...]
    rating: float
    reviews: int
    distance_mi: float
    address: str
    hours: str
    phone: str


STREETS = ["Main St", "Oak Ave", "Market St", "Pine St", "Elm St", "Broadway", "2nd Ave", "Mission St", "Lake Dr"]


def contacts(rng: random.Random, n: int = 10) -> list[tuple[str, str, str]]:
    """``(display_name, phone, email)`` tuples with distinct names."""
    names: list[str] = []
    while len(names) < n:
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        if name not in names:
            names.append(name)
    out = []
    for i, name in enumerate(sorted(names)):
        phone = f"+1 555-{rng.randint(100, 999)}-{1000 + i * 37 + rng.randint(0, 36)}"
        email = f"{name.split()[0].lower()}.{name.split()[1].lower()}@example.com"
        out.append((name, phone, email))
    return out


def places(rng: random.Random) -> list[Place]:
    out = []
    for category, (names, tags) in PLACE_KINDS.items():
        for name in names:
            out.append(Place(
                name=name, category=category, tags=tags, rating=round(rng.uniform(3.6, 4.9), 1),
                reviews=rng.randint(40, 2500), distance_mi=round(rng.uniform(0.2, 4.5), 1),
                address=f"{rng.randint(10, 2400)} {rng.choice(STREETS)}",
                hours=rng.choice(["Open · Closes 10 PM", "Open · Closes 9 PM", "Open 24 hours", "Closes soon · 6 PM"]),
                phone=f"+1 555-{rng.randint(200, 999)}-{rng.randint(1000, 9999)}",
            ))  # fmt: skip
    return out
