package datom

import (
	"errors"
	"fmt"
)

// ErrCorrupt is returned when encoded values or datoms cannot be decoded.
var ErrCorrupt = errors.New("datom: corrupt encoding")

func corrupt(msg string) error { return fmt.Errorf("%w: %s", ErrCorrupt, msg) }
