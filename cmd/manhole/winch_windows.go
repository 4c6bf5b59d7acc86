package main

import "os"

// resizeSignals is empty: a Windows console sends no signal when it is
// resized, so a session keeps the size it started with.
var resizeSignals []os.Signal
