package exec

import (
	"errors"

	"fmt"
	"github.com/borealis-db/borealis/sql/ast"
	"io"
	"strings"

	"github.com/borealis-db/borealis/sql/types"
	"github.com/borealis-db/borealis/wire"
)

// CopyInFunc starts COPY FROM STDIN (see wire.ResultWriter.CopyIn).
type CopyInFunc func(format wire.CopyFormat, columns int) (io.Reader, error)

func (b *builder) copyStmt(s *ast.Copy) (*Plan, error) {
	switch {
	case !s.From:
		return nil, unsupported("COPY TO is not supported")
	case s.Query != nil:
		return nil, unsupported("COPY of a query is not supported")
	}
	t, err := b.table(s.Table)
	if err != nil {
		return nil, err
	}
	w, err := b.newWriter(t)
	if err != nil {
		return nil, err
	}
	var cols []int
	for _, name := range s.Columns {
		i := t.Column(name)
		if i < 0 {
			return nil, errf(CodeUndefinedColumn, "column %q of relation %q does not exist", name, t.Name)
		}
		cols = append(cols, i)
	}
	if cols == nil {
		for i := range t.Columns {
			cols = append(cols, i)
		}
	}
	var f wire.CopyFormat
	for _, o := range s.Options {
		v := o.Value
		switch o.Name {
		case "format":
			switch strings.ToLower(v) {
			case "text":
				f.Kind = wire.CopyText
			case "csv":
				f.Kind = wire.CopyCSV
			case "binary":
				f.Kind = wire.CopyBinary
			default:
				return nil, unsupported("COPY format %q is not supported", v)
			}
		case "freeze":
		case "delimiter":
			if len(v) != 1 {
				return nil, errf(types.CodeFeatureNotSupported, "COPY delimiter must be a single one-byte character")
			}
			f.Delimiter = v[0]
		case "null":
			f.Null, f.NullSet = v, true
		case "header":
			f.Header = v == "" || v == "on" || v == "true" || v == "1"
		case "quote":
			if len(v) != 1 {
				return nil, errf(types.CodeFeatureNotSupported, "COPY quote must be a single one-byte character")
			}
			f.Quote = v[0]
		case "escape":
			if len(v) != 1 {
				return nil, errf(types.CodeFeatureNotSupported, "COPY escape must be a single one-byte character")
			}
			f.Escape = v[0]
		case "encoding":
			if up := strings.ToUpper(strings.ReplaceAll(v, "-", "")); up != "UTF8" {
				return nil, unsupported("COPY encoding %q is not supported", v)
			}
		default:
			return nil, unsupported("COPY option %q is not supported", o.Name)
		}
	}
	p := &Plan{Kind: KindQuery}
	p.run = func(c *Ctx, _ func([]types.Datum) error) (string, error) {
		if c.CopyIn == nil {
			return "", unsupported("COPY FROM STDIN is not possible here")
		}
		r, err := c.CopyIn(f, len(cols))
		if err != nil {
			return "", err
		}
		dec, err := wire.NewCopyDecoder(r, f)
		if err != nil {
			return "", err
		}
		set := make([]bool, len(t.Columns))
		for _, col := range cols {
			set[col] = true
		}
		n := 0
		var batch [][]types.Datum // copybatch.go
		for {
			fields, err := dec.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return "", err
			}
			if len(fields) != len(cols) {
				return "", errf("22P04", "line %d: expected %d columns, got %d", dec.Line(), len(cols), len(fields))
			}
			vals := make([]types.Datum, len(t.Columns))
			for i, col := range cols {
				if fields[i] == nil {
					continue
				}
				var d types.Datum
				var err error
				if f.Kind == wire.CopyBinary {
					d, err = types.ParseBinary(t.Columns[col].Type, fields[i])
				} else {
					d, err = types.ParseText(t.Columns[col].Type, string(fields[i]), c.Env)
				}
				if err != nil {
					if te, ok := err.(*types.Error); ok {
						te.Detail = fmt.Sprintf("COPY %s, line %d, column %s", t.Name, dec.Line(), t.Columns[col].Name)
					}
					return "", err
				}
				vals[col] = d
			}
			for i, def := range w.defaults {
				if !set[i] {
					if def != nil {
						if vals[i], err = def.eval(c, nil); err != nil {
							return "", err
						}
					}
				}
			}
			if batch = append(batch, vals); len(batch) >= copyBatchRows {
				if err := w.insertBatch(c, batch); err != nil {
					return "", err
				}
				batch = batch[:0]
			}
			n++
		}
		if err := w.insertBatch(c, batch); err != nil {
			return "", err
		}
		return fmt.Sprintf("COPY %d", n), nil
	}
	return deferChecks(p), nil // constraint.go
}
