package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"

	"github.com/cairn-db/cairn/core/edn"
)

// config is the server's configuration. Sources, lowest precedence first:
// defaults, the EDN config file (--config), environment variables
// (CAIRN_HOST, CAIRN_PORT, CAIRN_DATA, CAIRN_TOKEN, CAIRN_DEV_MODE,
// CAIRN_LEVEL), then flags.
type config struct {
	Host    string
	Port    int
	Data    string
	Token   string
	DevMode bool
	Level   string
	File    string
	// tokenGenerated is set when no token was configured and one was made.
	tokenGenerated bool
}

func defaults() config {
	return config{Host: "127.0.0.1", Port: 4444, Data: "data", Level: "info"}
}

// loadConfig resolves the configuration from args and the environment.
func loadConfig(args []string, env func(string) string, stderr io.Writer) (config, error) {
	c := defaults()
	fs := flag.NewFlagSet("syncserver", flag.ContinueOnError)
	fs.SetOutput(stderr)
	host := fs.String("host", "", "address to listen on (default 127.0.0.1)")
	port := fs.Int("port", -1, "port to listen on (default 4444; 0 picks a free port)")
	data := fs.String("data", "", "data directory; databases live in DATA/<scope-id>/ (default ./data)")
	token := fs.String("token", "", "auth token peers must present (default: generate one and print it)")
	dev := fs.Bool("dev-mode", false, "disable authentication (development only)")
	level := fs.String("level", "", "log level: debug, info, warn or error (default info)")
	file := fs.String("config", "", "EDN config file, e.g. {:port 4444 :level :info :dev-mode false :token \"...\"}")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	cfgFile := *file
	if cfgFile == "" {
		cfgFile = env("CAIRN_CONFIG")
	}
	if cfgFile != "" {
		if err := c.readFile(cfgFile); err != nil {
			return c, err
		}
		c.File = cfgFile
	}
	if v := env("CAIRN_HOST"); v != "" {
		c.Host = v
	}
	if v := env("CAIRN_PORT"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil {
			return c, fmt.Errorf("CAIRN_PORT: %w", err)
		}
		c.Port = p
	}
	if v := env("CAIRN_DATA"); v != "" {
		c.Data = v
	}
	if v := env("CAIRN_TOKEN"); v != "" {
		c.Token = v
	}
	if v := env("CAIRN_DEV_MODE"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return c, fmt.Errorf("CAIRN_DEV_MODE: %w", err)
		}
		c.DevMode = b
	}
	if v := env("CAIRN_LEVEL"); v != "" {
		c.Level = v
	}
	if set["host"] {
		c.Host = *host
	}
	if set["port"] {
		c.Port = *port
	}
	if set["data"] {
		c.Data = *data
	}
	if set["token"] {
		c.Token = *token
	}
	if set["dev-mode"] {
		c.DevMode = *dev
	}
	if set["level"] {
		c.Level = *level
	}
	return c, c.validate()
}

func (c *config) validate() error {
	var errs []error
	if c.Port < 0 || c.Port > 65535 {
		errs = append(errs, fmt.Errorf("port %d out of range", c.Port))
	}
	if c.Data == "" {
		errs = append(errs, errors.New("data directory is empty"))
	}
	if _, err := parseLevel(c.Level); err != nil {
		errs = append(errs, err)
	}
	if !c.DevMode && c.Token == "" {
		b := make([]byte, 24)
		if _, err := rand.Read(b); err != nil {
			errs = append(errs, err)
		}
		c.Token = hex.EncodeToString(b)
		c.tokenGenerated = true
	}
	return errors.Join(errs...)
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.TrimPrefix(s, ":"))); err != nil {
		return 0, fmt.Errorf("level %q: want debug, info, warn or error", s)
	}
	return l, nil
}

// readFile applies an EDN config file: {:port 4444 :level :info
// :dev-mode false :token "..." :host "127.0.0.1" :data "data"}.
func (c *config) readFile(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	v, err := edn.Read(b)
	if err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	m, ok := v.(*edn.Map)
	if !ok {
		return fmt.Errorf("config %s: want an EDN map, got %T", path, v)
	}
	for _, e := range m.Entries {
		k, ok := e.Key.(edn.Keyword)
		if !ok || k.NS != "" {
			return fmt.Errorf("config %s: keys must be plain keywords, got %s", path, edn.Print(e.Key))
		}
		bad := func(want string) error {
			return fmt.Errorf("config %s: :%s must be %s, got %s", path, k.Name, want, edn.Print(e.Val))
		}
		switch k.Name {
		case "port":
			n, ok := e.Val.(int64)
			if !ok {
				return bad("an integer")
			}
			c.Port = int(n)
		case "host", "data", "token":
			s, ok := e.Val.(string)
			if !ok {
				return bad("a string")
			}
			switch k.Name {
			case "host":
				c.Host = s
			case "data":
				c.Data = s
			default:
				c.Token = s
			}
		case "dev-mode":
			b, ok := e.Val.(bool)
			if !ok {
				return bad("true or false")
			}
			c.DevMode = b
		case "level":
			switch l := e.Val.(type) {
			case edn.Keyword:
				c.Level = l.Name
			case string:
				c.Level = l
			default:
				return bad("a keyword such as :info")
			}
		default:
			return fmt.Errorf("config %s: unknown key :%s", path, k.Name)
		}
	}
	return nil
}
