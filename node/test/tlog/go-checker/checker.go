// An independent check of an idnode transparency log with Go's golang.org/x/mod/sumdb/note and
// sumdb/tlog (Debian: golang-golang-x-mod-dev). Usage:
//
//	go run checker.go <base-url> <vkey> [older-checkpoint-file ...]
//
// It verifies the checkpoint's note signature, recomputes the root from every entry bundle,
// checks the server's inclusion proof of a sample of leaves (tlog.CheckRecord) and, for each
// older checkpoint, a consistency proof it builds itself (tlog.ProveTree / tlog.CheckTree).
// Prints "ok <size>" and exits 0, or prints the failure and exits 1.
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

func fail(format string, a ...interface{}) {
	fmt.Printf("FAIL "+format+"\n", a...)
	os.Exit(1)
}

func get(url string) []byte {
	res, err := http.Get(url)
	if err != nil {
		fail("%s: %v", url, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		fail("%s: %d %s", url, res.StatusCode, body)
	}
	return body
}

type checkpoint struct {
	size int64
	root tlog.Hash
}

// open verifies the note with the log key and parses the C2SP checkpoint body (tlog.ParseTree
// knows only the go.sum origin line).
func open(msg []byte, verifier note.Verifier) checkpoint {
	n, err := note.Open(msg, note.VerifierList(verifier))
	if err != nil {
		fail("note: %v", err)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 {
		fail("checkpoint has %d lines", len(lines))
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		fail("size %q", lines[1])
	}
	raw, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(raw) != 32 {
		fail("root %q", lines[2])
	}
	var root tlog.Hash
	copy(root[:], raw)
	return checkpoint{size, root}
}

func tilePath(n int64) string {
	s := fmt.Sprintf("%03d", n%1000)
	for n /= 1000; n > 0; n /= 1000 {
		s = fmt.Sprintf("x%03d/%s", n%1000, s)
	}
	return s
}

type leaf struct {
	ID      string `json:"id"`
	Version int    `json:"version"`
}

func main() {
	if len(os.Args) < 3 {
		fail("usage: checker <base-url> <vkey> [older-checkpoint ...]")
	}
	base, vkey := os.Args[1], os.Args[2]
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		fail("vkey: %v", err)
	}
	cp := open(get(base+"/log/checkpoint"), verifier)

	var stored []tlog.Hash
	var leaves [][]byte
	hr := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = stored[x]
		}
		return out, nil
	})
	for n := int64(0); n*256 < cp.size; n++ {
		w := cp.size - n*256
		url := fmt.Sprintf("%s/log/tile/entries/%s", base, tilePath(n))
		if w < 256 {
			url += fmt.Sprintf(".p/%d", w)
		}
		b := get(url)
		for len(b) > 0 {
			l := int(binary.BigEndian.Uint16(b))
			data := b[2 : 2+l]
			b = b[2+l:]
			hashes, err := tlog.StoredHashes(int64(len(leaves)), data, hr)
			if err != nil {
				fail("stored hashes: %v", err)
			}
			stored = append(stored, hashes...)
			leaves = append(leaves, data)
		}
	}
	if int64(len(leaves)) != cp.size {
		fail("%d entries for a tree of %d", len(leaves), cp.size)
	}
	root, err := tlog.TreeHash(cp.size, hr)
	if err != nil || root != cp.root {
		fail("root from the entries %v is not the checkpoint's %v (%v)", root, cp.root, err)
	}

	step := cp.size/25 + 1
	for i := int64(0); i < cp.size; i += step {
		var l leaf
		if err := json.Unmarshal(leaves[i], &l); err != nil {
			fail("leaf %d: %v", i, err)
		}
		var p struct {
			Index      int64    `json:"index"`
			Leaf       string   `json:"leaf"`
			Inclusion  []string `json:"inclusion"`
			Checkpoint string   `json:"checkpoint"`
		}
		if err := json.Unmarshal(get(fmt.Sprintf("%s/log/proof/%s?version=%d", base, l.ID, l.Version)), &p); err != nil {
			fail("proof %d: %v", i, err)
		}
		pc := open([]byte(p.Checkpoint), verifier)
		data, _ := base64.StdEncoding.DecodeString(p.Leaf)
		if p.Index != i || !bytes.Equal(data, leaves[i]) {
			fail("proof of %s v%d names leaf %d, want %d", l.ID, l.Version, p.Index, i)
		}
		var proof tlog.RecordProof
		for _, h := range p.Inclusion {
			raw, _ := base64.StdEncoding.DecodeString(h)
			var x tlog.Hash
			copy(x[:], raw)
			proof = append(proof, x)
		}
		if err := tlog.CheckRecord(proof, pc.size, pc.root, i, tlog.RecordHash(data)); err != nil {
			fail("inclusion of leaf %d: %v", i, err)
		}
	}

	for _, file := range os.Args[3:] {
		msg, err := os.ReadFile(file)
		if err != nil {
			fail("%v", err)
		}
		old := open(msg, verifier)
		if old.size == 0 || old.size > cp.size {
			continue
		}
		proof, err := tlog.ProveTree(cp.size, old.size, hr)
		if err != nil {
			fail("prove %d -> %d: %v", old.size, cp.size, err)
		}
		if err := tlog.CheckTree(proof, cp.size, cp.root, old.size, old.root); err != nil {
			fail("consistency %d -> %d: %v", old.size, cp.size, err)
		}
	}
	fmt.Printf("ok %d\n", cp.size)
}
