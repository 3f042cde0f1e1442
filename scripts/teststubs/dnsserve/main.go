// Command dnsserve runs the real dig against a DNS server of its own, for scripts/test-deploy.sh:
//
//	dnsserve DIR DIG [ARGS...]
//
// It listens on a free UDP port of 127.0.0.1, runs DIG @127.0.0.1 -p PORT +time=1 +tries=1 ARGS...
// (one try of one second: a query left unanswered fails at once), answers DIG's queries from DIR,
// and exits with DIG's status, DIG's output passed through. So the deploy verbs' checks read
// what dig really prints, from answers a case chose; nothing leaves the machine.
//
// DIR/<TYPE>_<name> (the name in lower case, without its final dot, e.g. NS_example.com) holds the
// answer to a query of that type and name: the records' data, one per line (a NOERROR answer;
// NS, CNAME and PTR data are names, A data is an IPv4 address), or one of the words NXDOMAIN,
// NODATA (NOERROR with no records), SERVFAIL, REFUSED and DROP (no reply at all). A query with no
// file gets NXDOMAIN. It has no dependencies beyond the standard library, so it builds offline.
package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: dnsserve DIR DIG [ARGS...]")
		os.Exit(2)
	}
	status, err := run(os.Args[1], os.Args[2], os.Args[3:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "dnsserve:", err)
		os.Exit(2)
	}
	os.Exit(status)
}

func run(dir, dig string, args []string) (int, error) {
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	port := conn.LocalAddr().(*net.UDPAddr).Port
	go serve(conn, dir)

	cmd := exec.Command(dig, append([]string{"@127.0.0.1", "-p", fmt.Sprint(port), "+time=1", "+tries=1"}, args...)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), nil
	}
	return 0, err
}

func serve(conn net.PacketConn, dir string) {
	buf := make([]byte, 4096)
	for {
		n, from, err := conn.ReadFrom(buf)
		if err != nil {
			return
		}
		reply, err := answer(buf[:n], dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, "dnsserve:", err)
			continue
		}
		if reply != nil {
			_, _ = conn.WriteTo(reply, from)
		}
	}
}

// The record types and response codes it knows.
var (
	types  = map[uint16]string{1: "A", 2: "NS", 5: "CNAME", 12: "PTR"}
	rcodes = map[string]uint16{"NODATA": 0, "SERVFAIL": 2, "NXDOMAIN": 3, "REFUSED": 5}
)

// answer builds the reply to one query (nil: no reply).
func answer(query []byte, dir string) ([]byte, error) {
	if len(query) < 12 || binary.BigEndian.Uint16(query[4:6]) != 1 {
		return nil, errors.New("not a query with one question")
	}
	name, end, err := readName(query, 12)
	if err != nil || end+4 > len(query) {
		return nil, fmt.Errorf("a malformed question: %v", err)
	}
	qtype := binary.BigEndian.Uint16(query[end : end+2])
	question := query[12 : end+4]

	rcode, records := uint16(3), []string(nil)
	if t, ok := types[qtype]; ok {
		b, err := os.ReadFile(filepath.Join(dir, t+"_"+strings.ToLower(strings.TrimSuffix(name, "."))))
		switch {
		case errors.Is(err, os.ErrNotExist):
		case err != nil:
			return nil, err
		default:
			text := strings.TrimSpace(string(b))
			if text == "DROP" {
				return nil, nil
			}
			if code, ok := rcodes[text]; ok {
				rcode = code
			} else {
				rcode, records = 0, strings.Fields(text)
			}
		}
	}

	// Header: the query's id and opcode and recursion-desired bit; a response, recursion
	// available (a resolver's answer), the response code; one question, the records as answers.
	flags := binary.BigEndian.Uint16(query[2:4])&0x7900 | 0x8080 | rcode
	reply := binary.BigEndian.AppendUint16(nil, binary.BigEndian.Uint16(query[0:2]))
	reply = binary.BigEndian.AppendUint16(reply, flags)
	for _, count := range []int{1, len(records), 0, 0} {
		reply = binary.BigEndian.AppendUint16(reply, uint16(count))
	}
	reply = append(reply, question...)
	for _, r := range records {
		var data []byte
		if qtype == 1 {
			addr, err := netip.ParseAddr(r)
			if err != nil || !addr.Is4() {
				return nil, fmt.Errorf("%s: not an IPv4 address for an A record", r)
			}
			data = addr.AsSlice()
		} else {
			data = appendName(nil, r)
		}
		reply = append(reply, 0xc0, 12) // the question's name
		reply = binary.BigEndian.AppendUint16(reply, qtype)
		reply = binary.BigEndian.AppendUint16(reply, 1) // IN
		reply = binary.BigEndian.AppendUint32(reply, 300)
		reply = binary.BigEndian.AppendUint16(reply, uint16(len(data)))
		reply = append(reply, data...)
	}
	return reply, nil
}

// readName reads the uncompressed name at off (a question's): the name with its final dot, and
// where it ends.
func readName(msg []byte, off int) (string, int, error) {
	var labels []string
	for {
		if off >= len(msg) {
			return "", 0, errors.New("the name runs past the message")
		}
		n := int(msg[off])
		off++
		if n == 0 {
			return strings.Join(labels, ".") + ".", off, nil
		}
		if n > 63 || off+n > len(msg) {
			return "", 0, errors.New("a bad label")
		}
		labels = append(labels, string(msg[off:off+n]))
		off += n
	}
}

func appendName(b []byte, name string) []byte {
	for _, label := range strings.Split(strings.TrimSuffix(name, "."), ".") {
		b = append(b, byte(len(label)))
		b = append(b, label...)
	}
	return append(b, 0)
}
