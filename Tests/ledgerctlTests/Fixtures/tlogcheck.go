// tlogcheck checks a ledger served by `ledgerctl serve` with Go's own implementation of the
// standards (golang.org/x/mod/sumdb/note and sumdb/tlog, Debian's golang-golang-x-mod-dev),
// so the ledger's checkpoints, tiles, bundles and receipts are accepted by code its authors
// did not write. Run in GOPATH mode:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go run tlogcheck.go -url URL -vkey KEY [-skey FILE] [-old SIZE:ROOT] [RECEIPT...]
//
// Prints one JSON object; exits 1 naming the first check that fails.
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "tlogcheck: "+format+"\n", args...)
	os.Exit(1)
}

func fetch(url string) []byte {
	resp, err := http.Get(url)
	if err != nil {
		fail("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		fail("GET %s: status %d", url, resp.StatusCode)
	}
	return body
}

// tileReader serves Go's tlog tiles (height 8) from C2SP tlog-tiles paths: Go writes
// tile/8/L/N and tile/8/data/N; C2SP has tile/L/N and tile/entries/N.
type tileReader struct{ base string }

func (r tileReader) Height() int { return 8 }

func (r tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		path := strings.TrimPrefix(t.Path(), "tile/8/")
		path = strings.Replace(path, "data/", "entries/", 1)
		out[i] = fetch(r.base + "/log/tile/" + path)
	}
	return out, nil
}

func (r tileReader) SaveTiles(tiles []tlog.Tile, data [][]byte) {}

func parseCheckpoint(text string) (origin string, size int64, root tlog.Hash) {
	lines := strings.Split(text, "\n")
	if len(lines) < 4 {
		fail("checkpoint has %d lines", len(lines))
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		fail("checkpoint size: %v", err)
	}
	root, err = tlog.ParseHash(lines[2])
	if err != nil {
		fail("checkpoint root: %v", err)
	}
	return lines[0], size, root
}

func main() {
	base := flag.String("url", "", "the server's address")
	vkey := flag.String("vkey", "", "the log's verifier key")
	skey := flag.String("skey", "", "the log's private key file: Go signs the checkpoint too, and the signatures must be identical")
	old := flag.String("old", "", "SIZE:ROOT of an earlier checkpoint the current one must extend")
	flag.Parse()

	verifier, err := note.NewVerifier(*vkey)
	if err != nil {
		fail("verifier key: %v", err)
	}
	signed := fetch(*base + "/log/checkpoint")
	n, err := note.Open(signed, note.VerifierList(verifier))
	if err != nil {
		fail("note.Open: %v", err)
	}
	origin, size, root := parseCheckpoint(n.Text)
	if origin != verifier.Name() {
		fail("origin %q is not the key name %q", origin, verifier.Name())
	}
	result := map[string]interface{}{"origin": origin, "size": size, "signature_verified": true}

	if *skey != "" {
		text, err := os.ReadFile(*skey)
		if err != nil {
			fail("%v", err)
		}
		signer, err := note.NewSigner(strings.TrimSpace(string(text)))
		if err != nil {
			fail("note.NewSigner: %v", err)
		}
		again, err := note.Sign(&note.Note{Text: n.Text}, signer)
		if err != nil {
			fail("note.Sign: %v", err)
		}
		if !bytes.Equal(again, signed) {
			fail("Go signs the checkpoint differently:\n%s\nvs\n%s", again, signed)
		}
		result["go_signature_identical"] = true
	}

	tree := tlog.Tree{N: size, Hash: root}
	// TileHashReader checks every tile it reads against the tree's root.
	hashes := tlog.TileHashReader(tree, tileReader{*base})
	computed, err := tlog.TreeHash(size, hashes)
	if err != nil {
		fail("tlog.TreeHash: %v", err)
	}
	if computed != root {
		fail("tlog.TreeHash %v != checkpoint root %v", computed, root)
	}

	// Every entry bundle: each leaf's data hashes to the leaf hash in the level-0 tiles.
	leaves := int64(0)
	for start := int64(0); start < size; start += 256 {
		width := size - start
		if width > 256 {
			width = 256
		}
		tile := tlog.Tile{H: 8, L: -1, N: start / 256, W: int(width)}
		data, _ := tileReader{*base}.ReadTiles([]tlog.Tile{tile})
		bundle := data[0]
		for i := int64(0); i < width; i++ {
			if len(bundle) < 2 {
				fail("bundle %d ends early", tile.N)
			}
			length := int(bundle[0])<<8 | int(bundle[1])
			record := bundle[2 : 2+length]
			bundle = bundle[2+length:]
			want, err := hashes.ReadHashes([]int64{tlog.StoredHashIndex(0, start+i)})
			if err != nil {
				fail("ReadHashes: %v", err)
			}
			if tlog.RecordHash(record) != want[0] {
				fail("leaf %d: bundle data does not hash to the tile's leaf hash", start+i)
			}
			leaves++
		}
		if len(bundle) != 0 {
			fail("bundle %d has %d bytes too many", tile.N, len(bundle))
		}
	}
	result["leaves_checked"] = leaves

	// Receipts (C2SP tlog-proof): Go's proof must be the same hashes, and CheckRecord accepts ours.
	receipts := 0
	for _, path := range flag.Args() {
		text, err := os.ReadFile(path)
		if err != nil {
			fail("%v", err)
		}
		parts := strings.SplitN(string(text), "\n\n", 2)
		lines := strings.Split(parts[0], "\n")
		if lines[0] != "c2sp.org/tlog-proof@v1" || !strings.HasPrefix(lines[1], "extra ") || !strings.HasPrefix(lines[2], "index ") {
			fail("%s: not a tlog-proof with extra and index lines", path)
		}
		extra, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(lines[1], "extra "))
		if err != nil {
			fail("%s: extra: %v", path, err)
		}
		index, _ := strconv.ParseInt(strings.TrimPrefix(lines[2], "index "), 10, 64)
		var proof tlog.RecordProof
		for _, line := range lines[3:] {
			h, err := tlog.ParseHash(line)
			if err != nil {
				fail("%s: proof line: %v", path, err)
			}
			proof = append(proof, h)
		}
		rn, err := note.Open([]byte(parts[1]), note.VerifierList(verifier))
		if err != nil {
			fail("%s: its checkpoint: %v", path, err)
		}
		_, rsize, rroot := parseCheckpoint(rn.Text)
		if err := tlog.CheckRecord(proof, rsize, rroot, index, tlog.RecordHash(extra)); err != nil {
			fail("%s: tlog.CheckRecord: %v", path, err)
		}
		if rsize == size {
			goProof, err := tlog.ProveRecord(size, index, hashes)
			if err != nil {
				fail("ProveRecord: %v", err)
			}
			if fmt.Sprint(goProof) != fmt.Sprint(proof) {
				fail("%s: Go's proof of %d differs from the receipt's", path, index)
			}
		}
		receipts++
	}
	result["receipts_checked"] = receipts

	if *old != "" {
		fields := strings.SplitN(*old, ":", 2)
		oldSize, _ := strconv.ParseInt(fields[0], 10, 64)
		oldRoot, err := tlog.ParseHash(fields[1])
		if err != nil {
			fail("-old root: %v", err)
		}
		proof, err := tlog.ProveTree(size, oldSize, hashes)
		if err != nil {
			fail("ProveTree: %v", err)
		}
		if err := tlog.CheckTree(proof, size, root, oldSize, oldRoot); err != nil {
			fail("tlog.CheckTree from %d: %v", oldSize, err)
		}
		result["consistent_with"] = oldSize
	}
	out, _ := json.Marshal(result)
	fmt.Println(string(out))
}
