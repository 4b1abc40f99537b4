// Package crashfs is an in-memory vfs.FS that simulates crashes.
//
// It keeps two states of everything: what the running process sees (live)
// and what would be on disk after a power cut (durable). A file's durable
// content is its content as of its last completed Sync; a directory's
// durable entries are its entries as of its last completed SyncDir.
// Crash returns the file system a restarted process would find: only
// durable entries, each with only its durable content. With a random source,
// Crash also keeps a random prefix of each file's unsynced appended bytes,
// modelling a torn write in which part of the page cache reached the disk.
//
// Simplifications: directories created by MkdirAll are durable at once; a
// directory's unsynced changes (creations, removals, renames) are all lost
// or all kept, never some of them; a Truncate not followed by Sync is lost
// at a crash.
//
// Faults: Inject installs a hook that runs before every operation and can
// fail it, to model an I/O error (a failing fsync) or to stop a store at an
// exact point before calling Crash.
package crashfs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/cairn-db/cairn/store/vfs"
)

// Op names an operation for the Inject hook.
type Op int

// Operations passed to the Inject hook.
const (
	OpCreate Op = iota
	OpOpen
	OpOpenAppend
	OpRename
	OpRemove
	OpMkdirAll
	OpReadDir
	OpLock
	OpSyncDir
	OpRead
	OpWrite
	OpSync
	OpTruncate
)

var opNames = [...]string{"create", "open", "open-append", "rename", "remove", "mkdirall", "readdir", "lock", "syncdir", "read", "write", "sync", "truncate"}

func (o Op) String() string {
	if int(o) < len(opNames) {
		return opNames[o]
	}
	return fmt.Sprintf("op(%d)", int(o))
}

// FS is a crash-simulating in-memory file system. It is safe for concurrent
// use.
type FS struct {
	mu     sync.Mutex
	dead   bool
	dirs   map[string]*dir // by cleaned path
	locks  map[string]bool
	inject func(op Op, name string) error
}

type dir struct {
	live    map[string]*inode
	durable map[string]*inode
}

type inode struct {
	data []byte
	// durable is the content as of the last Sync. It may share a backing
	// array with data: data only grows by appending past len(durable), and
	// a Truncate below len(durable) copies data first.
	durable []byte
	// prefixOK is true when data starts with durable (only appends since
	// the last Sync), so a torn prefix of the rest can survive a crash.
	prefixOK bool
}

var _ vfs.FS = (*FS)(nil)

// New returns an empty file system with only the root directory "/" and
// the current directory ".".
func New() *FS {
	fsys := &FS{dirs: make(map[string]*dir), locks: make(map[string]bool)}
	fsys.mkdir("/")
	fsys.mkdir(".")
	return fsys
}

func (fsys *FS) mkdir(p string) {
	if _, ok := fsys.dirs[p]; !ok {
		fsys.dirs[p] = &dir{live: make(map[string]*inode), durable: make(map[string]*inode)}
	}
}

// Inject installs hook, which runs before every operation with the path of
// the file or directory involved (the old path for Rename). When it returns
// an error the operation fails with it and changes nothing. hook runs
// without the FS's lock held and may be called concurrently; nil removes it.
func (fsys *FS) Inject(hook func(op Op, name string) error) {
	fsys.mu.Lock()
	fsys.inject = hook
	fsys.mu.Unlock()
}

// begin runs the hook and takes the lock. On success the caller must unlock.
func (fsys *FS) begin(op Op, name string) error {
	fsys.mu.Lock()
	hook, dead := fsys.inject, fsys.dead
	fsys.mu.Unlock()
	if dead {
		return fmt.Errorf("%s %s: %w", op, name, ErrCrashed)
	}
	if hook != nil {
		if err := hook(op, name); err != nil {
			return fmt.Errorf("%s %s: %w", op, name, err)
		}
	}
	fsys.mu.Lock()
	if fsys.dead {
		fsys.mu.Unlock()
		return fmt.Errorf("%s %s: %w", op, name, ErrCrashed)
	}
	return nil
}

func split(name string) (string, string) {
	name = filepath.Clean(name)
	return filepath.Dir(name), filepath.Base(name)
}

func pathErr(op, name string, err error) error {
	return &fs.PathError{Op: op, Path: name, Err: err}
}

func (fsys *FS) lookup(name string) (*dir, string, *inode, error) {
	dn, base := split(name)
	d, ok := fsys.dirs[dn]
	if !ok {
		return nil, "", nil, fs.ErrNotExist
	}
	return d, base, d.live[base], nil
}

// Create implements vfs.FS.
func (fsys *FS) Create(name string) (vfs.File, error) {
	if err := fsys.begin(OpCreate, name); err != nil {
		return nil, err
	}
	defer fsys.mu.Unlock()
	d, base, ino, err := fsys.lookup(name)
	if err != nil {
		return nil, pathErr("create", name, err)
	}
	if _, isDir := fsys.dirs[filepath.Clean(name)]; isDir {
		return nil, pathErr("create", name, errors.New("is a directory"))
	}
	if ino == nil {
		ino = &inode{prefixOK: true}
		d.live[base] = ino
	} else {
		ino.data = nil
		ino.prefixOK = len(ino.durable) == 0
	}
	return &file{fs: fsys, ino: ino, name: name}, nil
}

func (fsys *FS) open(op Op, name string, readOnly bool) (vfs.File, error) {
	if err := fsys.begin(op, name); err != nil {
		return nil, err
	}
	defer fsys.mu.Unlock()
	_, _, ino, err := fsys.lookup(name)
	if err == nil && ino == nil {
		err = fs.ErrNotExist
	}
	if err != nil {
		return nil, pathErr(op.String(), name, err)
	}
	return &file{fs: fsys, ino: ino, name: name, readOnly: readOnly}, nil
}

// Open implements vfs.FS.
func (fsys *FS) Open(name string) (vfs.File, error) { return fsys.open(OpOpen, name, true) }

// OpenAppend implements vfs.FS.
func (fsys *FS) OpenAppend(name string) (vfs.File, error) {
	return fsys.open(OpOpenAppend, name, false)
}

// Rename implements vfs.FS.
func (fsys *FS) Rename(oldname, newname string) error {
	if err := fsys.begin(OpRename, oldname); err != nil {
		return err
	}
	defer fsys.mu.Unlock()
	od, obase, ino, err := fsys.lookup(oldname)
	if err == nil && ino == nil {
		err = fs.ErrNotExist
	}
	if err != nil {
		return &fs.PathError{Op: "rename", Path: oldname, Err: err}
	}
	nd, nbase, _, err := fsys.lookup(newname)
	if err != nil {
		return &fs.PathError{Op: "rename", Path: newname, Err: err}
	}
	delete(od.live, obase)
	nd.live[nbase] = ino
	return nil
}

// Remove implements vfs.FS.
func (fsys *FS) Remove(name string) error {
	if err := fsys.begin(OpRemove, name); err != nil {
		return err
	}
	defer fsys.mu.Unlock()
	d, base, ino, err := fsys.lookup(name)
	if err == nil && ino == nil {
		err = fs.ErrNotExist
	}
	if err != nil {
		return pathErr("remove", name, err)
	}
	delete(d.live, base)
	return nil
}

// MkdirAll implements vfs.FS. New directories are durable at once.
func (fsys *FS) MkdirAll(name string) error {
	if err := fsys.begin(OpMkdirAll, name); err != nil {
		return err
	}
	defer fsys.mu.Unlock()
	for p := filepath.Clean(name); ; p = filepath.Dir(p) {
		if _, _, ino, err := fsys.lookup(p); err == nil && ino != nil {
			return pathErr("mkdir", p, errors.New("not a directory"))
		}
		fsys.mkdir(p)
		if parent := filepath.Dir(p); parent == p {
			break
		}
	}
	return nil
}

// ReadDir implements vfs.FS: the live files and subdirectories of name.
func (fsys *FS) ReadDir(name string) ([]string, error) {
	if err := fsys.begin(OpReadDir, name); err != nil {
		return nil, err
	}
	defer fsys.mu.Unlock()
	name = filepath.Clean(name)
	d, ok := fsys.dirs[name]
	if !ok {
		return nil, pathErr("readdir", name, fs.ErrNotExist)
	}
	var names []string
	for n := range d.live {
		names = append(names, n)
	}
	for p := range fsys.dirs {
		if p != name && filepath.Dir(p) == name {
			names = append(names, filepath.Base(p))
		}
	}
	slices.Sort(names)
	return names, nil
}

// SyncDir implements vfs.FS.
func (fsys *FS) SyncDir(name string) error {
	if err := fsys.begin(OpSyncDir, name); err != nil {
		return err
	}
	defer fsys.mu.Unlock()
	d, ok := fsys.dirs[filepath.Clean(name)]
	if !ok {
		return pathErr("syncdir", name, fs.ErrNotExist)
	}
	d.durable = make(map[string]*inode, len(d.live))
	for n, ino := range d.live {
		d.durable[n] = ino
	}
	return nil
}

// Lock implements vfs.FS. Locks are per FS value and vanish at a crash.
func (fsys *FS) Lock(name string) (io.Closer, error) {
	if err := fsys.begin(OpLock, name); err != nil {
		return nil, err
	}
	defer fsys.mu.Unlock()
	d, base, ino, err := fsys.lookup(name)
	if err != nil {
		return nil, pathErr("lock", name, err)
	}
	key := filepath.Clean(name)
	if fsys.locks[key] {
		return nil, fmt.Errorf("lock %s: %w", name, vfs.ErrLocked)
	}
	if ino == nil {
		d.live[base] = &inode{prefixOK: true}
	}
	fsys.locks[key] = true
	return &lock{fs: fsys, name: key}, nil
}

type lock struct {
	fs   *FS
	name string
	once sync.Once
}

func (l *lock) Close() error {
	l.once.Do(func() {
		l.fs.mu.Lock()
		delete(l.fs.locks, l.name)
		l.fs.mu.Unlock()
	})
	return nil
}

// Crash marks fsys as crashed (every later operation on it or its open
// files fails with ErrCrashed) and returns the file system a restarted
// process would find. With rng nil every unsynced write is lost; otherwise a
// random prefix of each file's unsynced appended bytes survives: none of
// them, all of them, or a uniformly chosen length, each about as often.
func (fsys *FS) Crash(rng *rand.Rand) *FS {
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	fsys.dead = true
	return fsys.copyLocked(func(ino *inode) []byte {
		data := slices.Clone(ino.durable)
		if rng != nil && ino.prefixOK {
			tail := ino.data[len(ino.durable):]
			keep := 0
			switch rng.IntN(4) {
			case 0: // nothing reached the disk
			case 1: // everything did, the fsync just never completed
				keep = len(tail)
			default:
				keep = rng.IntN(len(tail) + 1)
			}
			data = append(data, tail[:keep]...)
		}
		return data
	}, true)
}

// Clone returns an independent copy of the current state of fsys, live and
// durable, without locks or the Inject hook. fsys is unaffected.
func (fsys *FS) Clone() *FS {
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	return fsys.copyLocked(nil, false)
}

// copyLocked copies fsys. With crash, each directory's durable entries
// become its live ones and content(inode) gives each file's content.
func (fsys *FS) copyLocked(content func(*inode) []byte, crash bool) *FS {
	out := &FS{dirs: make(map[string]*dir, len(fsys.dirs)), locks: make(map[string]bool)}
	inodes := make(map[*inode]*inode)
	cp := func(ino *inode) *inode {
		if c, ok := inodes[ino]; ok {
			return c
		}
		var c *inode
		if crash {
			data := content(ino)
			c = &inode{data: data, durable: data[:len(data):len(data)], prefixOK: true}
		} else {
			data := slices.Clone(ino.data)
			c = &inode{data: data, durable: slices.Clone(ino.durable), prefixOK: ino.prefixOK}
		}
		inodes[ino] = c
		return c
	}
	for p, d := range fsys.dirs {
		nd := &dir{live: make(map[string]*inode), durable: make(map[string]*inode)}
		for n, ino := range d.durable {
			nd.durable[n] = cp(ino)
		}
		if crash {
			for n, ino := range nd.durable {
				nd.live[n] = ino
			}
		} else {
			for n, ino := range d.live {
				nd.live[n] = cp(ino)
			}
		}
		out.dirs[p] = nd
	}
	return out
}

// ReadFile returns a copy of the live content of the named file.
func (fsys *FS) ReadFile(name string) ([]byte, error) {
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	_, _, ino, err := fsys.lookup(name)
	if err == nil && ino == nil {
		err = fs.ErrNotExist
	}
	if err != nil {
		return nil, pathErr("readfile", name, err)
	}
	return slices.Clone(ino.data), nil
}

// WriteFile replaces the content of the named file, creating it if needed,
// and makes the file and its directory entry durable: a test's way to cut
// or corrupt a file.
func (fsys *FS) WriteFile(name string, data []byte) error {
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	d, base, ino, err := fsys.lookup(name)
	if err != nil {
		return pathErr("writefile", name, err)
	}
	if ino == nil {
		ino = &inode{}
		d.live[base] = ino
	}
	ino.data = slices.Clone(data)
	ino.durable = ino.data[:len(ino.data):len(ino.data)]
	ino.prefixOK = true
	d.durable[base] = ino
	return nil
}

// Unsynced reports, for debugging failed tests, every file whose live
// content or directory entry is not durable.
func (fsys *FS) Unsynced() string {
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	var b strings.Builder
	for p, d := range fsys.dirs {
		for n, ino := range d.live {
			if d.durable[n] != ino {
				fmt.Fprintf(&b, "%s: entry not synced\n", filepath.Join(p, n))
			}
			if len(ino.data) != len(ino.durable) || !ino.prefixOK {
				fmt.Fprintf(&b, "%s: %d of %d bytes synced\n", filepath.Join(p, n), len(ino.durable), len(ino.data))
			}
		}
	}
	return b.String()
}

type file struct {
	fs       *FS
	ino      *inode
	name     string
	readOnly bool
	closed   bool
}

var errClosed = errors.New("file already closed")

func (f *file) begin(op Op) error {
	if err := f.fs.begin(op, f.name); err != nil {
		return err
	}
	if f.closed {
		f.fs.mu.Unlock()
		return pathErr(op.String(), f.name, errClosed)
	}
	if f.readOnly && (op == OpWrite || op == OpTruncate) {
		f.fs.mu.Unlock()
		return pathErr(op.String(), f.name, errors.New("file opened read-only"))
	}
	return nil
}

func (f *file) ReadAt(p []byte, off int64) (int, error) {
	if err := f.begin(OpRead); err != nil {
		return 0, err
	}
	defer f.fs.mu.Unlock()
	if off < 0 {
		return 0, pathErr("read", f.name, errors.New("negative offset"))
	}
	if off >= int64(len(f.ino.data)) {
		return 0, io.EOF
	}
	n := copy(p, f.ino.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (f *file) Write(p []byte) (int, error) {
	if err := f.begin(OpWrite); err != nil {
		return 0, err
	}
	defer f.fs.mu.Unlock()
	// Appending never touches bytes below len(durable): see inode.
	f.ino.data = append(f.ino.data, p...)
	return len(p), nil
}

func (f *file) Sync() error {
	if err := f.begin(OpSync); err != nil {
		return err
	}
	defer f.fs.mu.Unlock()
	f.ino.durable = f.ino.data[:len(f.ino.data):len(f.ino.data)]
	f.ino.prefixOK = true
	return nil
}

func (f *file) Truncate(size int64) error {
	if err := f.begin(OpTruncate); err != nil {
		return err
	}
	defer f.fs.mu.Unlock()
	if size < 0 {
		return pathErr("truncate", f.name, errors.New("negative size"))
	}
	ino := f.ino
	switch {
	case size > int64(len(ino.data)):
		ino.data = append(ino.data, make([]byte, size-int64(len(ino.data)))...)
	case size < int64(len(ino.durable)):
		// Copy so that later appends cannot overwrite durable bytes.
		ino.data = slices.Clone(ino.data[:size])
		ino.prefixOK = false
	default:
		ino.data = ino.data[:size]
	}
	return nil
}

func (f *file) Size() (int64, error) {
	if err := f.begin(OpRead); err != nil {
		return 0, err
	}
	defer f.fs.mu.Unlock()
	return int64(len(f.ino.data)), nil
}

func (f *file) Close() error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if f.closed {
		return pathErr("close", f.name, errClosed)
	}
	f.closed = true
	return nil
}
