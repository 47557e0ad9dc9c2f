// The terminal model moved to lib/terminal (the cloud shell uses it too); the serial console keeps importing it here.
export * from '../../../lib/terminal/terminal-screen'
