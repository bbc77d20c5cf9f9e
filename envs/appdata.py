"""What the phone's apps keep and know, shared by the simulated phone (which keeps it) and the benchmark
tasks (which read it over adb, and so may not import the simulator).

Store paths are Android's: SMS in the telephony provider's ``mmssms.db``, contacts in the contacts provider's
``contacts2.db``, alarms in DeskClock's ``alarms.db``, Maps history in ``gmm_storage.db``, notes as files
under ``/sdcard/Notes``. ``PLACE_KINDS`` is the catalogue the simulated Maps app seeds its places from
(category: names, search tags); tasks draw the places they ask about from it.
"""

SMS_DB = "/data/data/com.android.providers.telephony/databases/mmssms.db"
CONTACTS_DB = "/data/data/com.android.providers.contacts/databases/contacts2.db"
ALARMS_DB = "/data/data/com.android.deskclock/databases/alarms.db"
MAPS_DB = "/data/data/com.google.android.apps.maps/databases/gmm_storage.db"
NOTES_DIR = "/sdcard/Notes"

PLACE_KINDS = {
    "Pizza": (["Tony's Pizzeria", "Slice of Heaven", "Napoli Pizza Co.", "Brick Oven Pizza", "Mama Mia Pizza"],
              ("pizza", "restaurant", "italian", "food", "dinner", "lunch")),
    "Coffee shop": (["Blue Bottle Cafe", "Bean There", "Morning Brew", "The Daily Grind"],
                    ("coffee", "cafe", "espresso", "breakfast")),
    "Sushi": (["Sakura Sushi", "Tokyo Bay Sushi Bar"], ("sushi", "restaurant", "japanese", "food", "dinner")),
    "Burgers": (["Burger Barn", "Patty Shack"], ("burger", "burgers", "restaurant", "food", "lunch", "fast food")),
    "Gas station": (["Shell", "Chevron", "76 Gas"], ("gas", "fuel", "station")),
    "Grocery store": (["Green Market", "FreshWay Grocery", "Trader Joe's"], ("grocery", "groceries", "supermarket")),
    "Pharmacy": (["CVS Pharmacy", "Walgreens"], ("pharmacy", "drugstore", "medicine")),
    "Park": (["Riverside Park", "Central Park"], ("park", "outdoors", "playground")),
    "Museum": (["City Art Museum", "Science Center"], ("museum", "art", "science", "attraction")),
}  # fmt: skip
