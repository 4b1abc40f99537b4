package main

import (
	"bytes"
	"compress/gzip"
)

// gzipGo is gzip9's fallback when the gzip tool is missing.
func gzipGo(data []byte) (int, string, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return 0, "", err
	}
	if _, err := zw.Write(data); err != nil {
		return 0, "", err
	}
	if err := zw.Close(); err != nil {
		return 0, "", err
	}
	return buf.Len(), "Go's compress/gzip at BestCompression (no gzip tool)", nil
}
