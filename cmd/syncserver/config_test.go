package main

import (
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestConfigPrecedence(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "c.edn")
	os.WriteFile(f, []byte(`{:port 5000 :level :debug :dev-mode false :token "from-file" :data "d1"}`), 0o644)
	env := map[string]string{"CAIRN_PORT": "6000", "CAIRN_DATA": "d2"}
	c, err := loadConfig([]string{"--config", f, "--data", "d3"}, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Port != 6000 || c.Data != "d3" || c.Token != "from-file" || c.Level != "debug" || c.tokenGenerated {
		t.Fatalf("precedence wrong: %+v", c)
	}
}

func TestConfigDefaultsGenerateToken(t *testing.T) {
	c, err := loadConfig(nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Host != "127.0.0.1" || c.Port != 4444 || c.Data != "data" || !c.tokenGenerated || len(c.Token) < 32 {
		t.Fatalf("defaults: %+v", c)
	}
	c, err = loadConfig([]string{"--dev-mode"}, func(string) string { return "" }, io.Discard)
	if err != nil || c.Token != "" || !c.DevMode {
		t.Fatalf("dev mode must not generate a token: %+v %v", c, err)
	}
}

func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"not a map":   `[1 2]`,
		"bad port":    `{:port "x"}`,
		"unknown key": `{:prot 1}`,
		"bad edn":     `{:port`,
		"bad level":   `{:level :loud}`,
	} {
		f := filepath.Join(dir, "c.edn")
		os.WriteFile(f, []byte(text), 0o644)
		if _, err := loadConfig([]string{"--config", f}, func(string) string { return "" }, io.Discard); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := loadConfig([]string{"--port", "70000"}, func(string) string { return "" }, io.Discard); err == nil {
		t.Errorf("port out of range accepted")
	}
}
