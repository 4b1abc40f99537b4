package server

import (
	"net/http"

	"github.com/cairn-db/cairn/web"
)

// WebApp returns the handler of the browser app (package web's embedded
// assets: the task board, cairn.js, cairn.wasm, wasm_exec.js).
func WebApp() http.Handler { return web.Handler() }

// ServeWebApp mounts the browser app at / (the peer, health and metrics
// routes keep their more specific patterns).
func (s *Server) ServeWebApp() { s.Handle("/", WebApp()) }
