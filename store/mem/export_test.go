package mem

// SlabCaps returns the capacity of each slab, for tests.
func SlabCaps(s *Store) []int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	caps := make([]int, len(s.slabs))
	for i, sl := range s.slabs {
		caps[i] = cap(sl)
	}
	return caps
}

// MaxSlab is maxSlab, for tests.
const MaxSlab = maxSlab
