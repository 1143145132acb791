package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// decodeAll decodes every row, NULL shown as <NULL>.
func decodeAll(t *testing.T, r io.Reader, f CopyFormat) ([][]string, error) {
	t.Helper()
	d, err := NewCopyDecoder(r, f)
	if err != nil {
		return nil, err
	}
	var rows [][]string
	for {
		row, err := d.Next()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return rows, err
		}
		var out []string
		for _, v := range row {
			if v == nil {
				out = append(out, "<NULL>")
			} else {
				out = append(out, string(v))
			}
		}
		rows = append(rows, out)
	}
}

func TestCopyDecoderCases(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    CopyFormat
		in   string
		want string // rows joined by "|", values by ","
		code string
	}{
		{"text basic", CopyFormat{}, "1\ta\n2\tb\n", "1,a|2,b", ""},
		{"text null and escapes", CopyFormat{}, "\\N\t\\t\\n\\\\\\r\\b\\f\\v\n", "<NULL>,\t\n\\\r\b\f\v", ""},
		{"text octal hex", CopyFormat{}, "\\101\\x42\\x4a\\xg\n", "ABJxg", ""},
		{"text escaped delimiter", CopyFormat{}, "a\\\tb\tc\n", "a\tb,c", ""},
		{"text escaped newline", CopyFormat{}, "a\\\nb\n", "a\nb", ""},
		{"text end marker", CopyFormat{}, "1\n\\.\nignored\n", "1", ""},
		{"text crlf", CopyFormat{}, "1\tx\r\n", "1,x", ""},
		{"text no final newline", CopyFormat{}, "1\tx", "1,x", ""},
		{"text empty value", CopyFormat{}, "\t\n", ",", ""},
		{"text header", CopyFormat{Header: true}, "id\tname\n1\tx\n", "1,x", ""},
		{"text custom delim and null", CopyFormat{Delimiter: '|', Null: "NULL"}, "1|NULL|\\N\n", "1,<NULL>,N", ""},
		{"text trailing backslash", CopyFormat{}, "abc\\", "", CodeBadCopyFileFormat},
		{"text invalid utf8", CopyFormat{}, "\xff\n", "", CodeCharacterNotInRepertoire},
		{"text octal invalid utf8", CopyFormat{}, "\\377\n", "", CodeCharacterNotInRepertoire},
		{"csv basic", CopyFormat{Kind: CopyCSV}, "1,a\n2,\"b,c\"\n", "1,a|2,b,c", ""},
		{"csv null vs empty", CopyFormat{Kind: CopyCSV}, ",\"\"\n", "<NULL>,", ""},
		{"csv quotes", CopyFormat{Kind: CopyCSV}, "\"a\"\"b\",c\n", "a\"b,c", ""},
		{"csv multiline", CopyFormat{Kind: CopyCSV}, "\"x\ny\",1\n2,3\n", "x\ny,1|2,3", ""},
		{"csv header", CopyFormat{Kind: CopyCSV, Header: true}, "a,b\n1,2\n", "1,2", ""},
		{"csv end marker", CopyFormat{Kind: CopyCSV}, "1\n\\.\n", "1", ""},
		{"csv quoted end marker", CopyFormat{Kind: CopyCSV}, "\"\\.\"\n", "\\.", ""},
		{"csv escape char", CopyFormat{Kind: CopyCSV, Escape: '\\'}, "\"a\\\"b\\\\\"\n", "a\"b\\", ""},
		{"csv unterminated", CopyFormat{Kind: CopyCSV}, "\"abc\n", "", CodeBadCopyFileFormat},
		{"csv crlf", CopyFormat{Kind: CopyCSV}, "1,2\r\n", "1,2", ""},
		{"csv backslash is data", CopyFormat{Kind: CopyCSV}, "a\\tb\n", "a\\tb", ""},
		{"binary bad signature", CopyFormat{Kind: CopyBinary}, "PGCOPX\n\xff\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x00", "", CodeBadCopyFileFormat},
		{"binary truncated header", CopyFormat{Kind: CopyBinary}, "PGCOPY\n", "", CodeBadCopyFileFormat},
		{"binary oids", CopyFormat{Kind: CopyBinary}, "PGCOPY\n\xff\r\n\x00\x00\x01\x00\x00\x00\x00\x00\x00", "", CodeFeatureNotSupported},
		{"binary truncated field", CopyFormat{Kind: CopyBinary}, "PGCOPY\n\xff\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x05ab", "", CodeBadCopyFileFormat},
		{"binary bad field size", CopyFormat{Kind: CopyBinary}, "PGCOPY\n\xff\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\xff\xff\xff\xfe", "", CodeBadCopyFileFormat},
		{"binary rows", CopyFormat{Kind: CopyBinary}, "PGCOPY\n\xff\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x02ex\x00\x02\x00\x00\x00\x01x\xff\xff\xff\xff\xff\xff", "x,<NULL>", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := decodeAll(t, strings.NewReader(tc.in), tc.f)
			if tc.code != "" {
				var we *Error
				if !errors.As(err, &we) || we.Code != tc.code {
					t.Fatalf("err = %v, want %s", err, tc.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range rows {
				got = append(got, strings.Join(r, ","))
			}
			if strings.Join(got, "|") != tc.want {
				t.Fatalf("got %q, want %q", strings.Join(got, "|"), tc.want)
			}
		})
	}
	// Reader errors (a client's CopyFail) pass through unchanged.
	boom := Errorf(CodeQueryCanceled, "COPY from stdin failed: x")
	_, err := decodeAll(t, io.MultiReader(strings.NewReader("1\n"), errReader{boom}), CopyFormat{})
	if !errors.Is(err, boom) {
		t.Fatalf("reader error: %v", err)
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// trickleReader returns at most n bytes per Read.
type trickleReader struct {
	b []byte
	n int
}

func (r *trickleReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	k := min(len(p), r.n, len(r.b))
	copy(p, r.b[:k])
	r.b = r.b[k:]
	return k, nil
}

// encodeCopy writes rows (nil = NULL) in format f the way a client would.
func encodeCopy(rows [][]*string, f CopyFormat) []byte {
	var b bytes.Buffer
	if f.Kind == CopyBinary {
		b.WriteString("PGCOPY\n\xff\r\n\x00")
		b.Write(make([]byte, 8))
	}
	for _, row := range rows {
		switch f.Kind {
		case CopyBinary:
			b.Write(binary.BigEndian.AppendUint16(nil, uint16(len(row))))
			for _, v := range row {
				if v == nil {
					b.Write([]byte{0xff, 0xff, 0xff, 0xff})
					continue
				}
				b.Write(binary.BigEndian.AppendUint32(nil, uint32(len(*v))))
				b.WriteString(*v)
			}
		case CopyCSV:
			for i, v := range row {
				if i > 0 {
					b.WriteByte(',')
				}
				if v != nil {
					b.WriteString(`"` + strings.ReplaceAll(*v, `"`, `""`) + `"`)
				}
			}
			b.WriteByte('\n')
		default:
			for i, v := range row {
				if i > 0 {
					b.WriteByte('\t')
				}
				if v == nil {
					b.WriteString(`\N`)
					continue
				}
				r := strings.NewReplacer(`\`, `\\`, "\t", `\t`, "\n", `\n`, "\r", `\r`)
				b.WriteString(r.Replace(*v))
			}
			b.WriteByte('\n')
		}
	}
	if f.Kind == CopyBinary {
		b.Write([]byte{0xff, 0xff})
	} else if len(rows)%2 == 0 {
		b.WriteString("\\.\n")
	}
	return b.Bytes()
}

// TestCopyDecoderRoundTrip is a property test: random rows encoded as a
// client would, fed in random chunk sizes, decode to the same rows.
func TestCopyDecoderRoundTrip(t *testing.T) {
	alphabet := []string{"a", "Z", "0", " ", "\t", "\n", "\r", "\\", "\"", ",", "'", "N", ".", "é", "日本", "🙂", "\\N", "\\."}
	rng := rand.New(rand.NewPCG(1, 2))
	for iter := range 300 {
		cols := 1 + rng.IntN(4)
		rows := make([][]*string, rng.IntN(6))
		for i := range rows {
			rows[i] = make([]*string, cols)
			for j := range rows[i] {
				if rng.IntN(5) == 0 {
					continue
				}
				var sb strings.Builder
				for range rng.IntN(8) {
					sb.WriteString(alphabet[rng.IntN(len(alphabet))])
				}
				if iter%50 == 0 && j == 0 {
					sb.WriteString(strings.Repeat("long", 50000)) // past the reader's buffer
				}
				s := sb.String()
				rows[i][j] = &s
			}
		}
		for _, kind := range []CopyKind{CopyText, CopyCSV, CopyBinary} {
			f := CopyFormat{Kind: kind}
			data := encodeCopy(rows, f)
			got, err := decodeAll(t, &trickleReader{b: data, n: 1 + rng.IntN(9)}, f)
			if err != nil {
				t.Fatalf("iter %d kind %d: %v\n%q", iter, kind, err, data)
			}
			if len(got) != len(rows) {
				t.Fatalf("iter %d kind %d: %d rows, want %d\n%q", iter, kind, len(got), len(rows), data)
			}
			for i := range rows {
				for j := range rows[i] {
					want := "<NULL>"
					if rows[i][j] != nil {
						want = *rows[i][j]
					}
					if got[i][j] != want {
						t.Fatalf("iter %d kind %d row %d col %d: %q, want %q", iter, kind, i, j, got[i][j], want)
					}
				}
			}
		}
	}
}

func ExampleNewCopyDecoder() {
	d, _ := NewCopyDecoder(strings.NewReader("1\thello\\tworld\n2\t\\N\n"), CopyFormat{Kind: CopyText})
	for {
		row, err := d.Next()
		if err != nil {
			break
		}
		fmt.Printf("%q %v\n", row[1], row[1] == nil)
	}
	// Output:
	// "hello\tworld" false
	// "" true
}
