"""The simulated phone's ADB side: the wire protocol, its adbd, its services, and the private real adb server."""
