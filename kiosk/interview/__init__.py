"""The interview itself: question sets, the flow as a state machine, the booth that runs it."""
