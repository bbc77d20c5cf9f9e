"""The simulated phone's screens: the widget tree, its drawing, its uiautomator dump and the soft keyboard."""
