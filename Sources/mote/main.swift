print("mote")
