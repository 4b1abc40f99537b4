// Package e2e holds Cairn's end-to-end tests: the real syncserver binary,
// built once per run, listening on 127.0.0.1:0 with a temporary data
// directory and token auth, and real Go peers (the client library) talking
// to it over WebSockets, directly or through a TCP proxy that cuts
// connections and follows restarts.
package e2e
