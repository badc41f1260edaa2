// Package where turns ArcGIS SQL where clauses into parameterised SQLite.
// It never executes SQL.
//
// DeleteImage removes whatever its where clause selects, so this package
// decides what gets deleted: it must select exactly what an ArcGIS user
// means, and nothing a hostile or careless string could smuggle in.
// [Compile] takes the user's text and the item table's fields with their
// types, and returns a [Clause]: a fully parenthesised SQLite boolean
// expression in which every field is its double-quoted canonical name and
// every literal a ? placeholder, the placeholders' values, and the fields
// used. The rendered SQL never contains text the user wrote. The package
// knows nothing of files or connections; the caller runs the SQL on a
// connection with PRAGMA case_sensitive_like=ON (see LIKE below) and may
// whitelist [SQLiteFunctions] in an authorizer.
//
// # How
//
// The user writes ArcGIS SQL, with standard SQL quoting; the parser,
// github.com/xwb1989/sqlparser, reads MySQL. It treats "x" as a string, \
// as an escape and || as OR, drops comments (and runs /*! … */), accepts
// ORDER BY, LIMIT and UNION after the clause, and panics on some inputs. So
// it never sees the user's text:
//
//  1. lexer.go splits the text into tokens by standard SQL rules. Comments,
//     ';', '?', '@', '||', bit operators, hex and bit literals, backquotes
//     and any character outside the language are errors at their position.
//  2. rewrite.go writes the text the parser sees: each literal becomes a
//     bind parameter (:v0), each field a neutral name (c0) resolved
//     against the schema, each function call fn0(…), and the SQL-standard
//     forms (EXTRACT(YEAR FROM d), SUBSTRING(s FROM i FOR n),
//     POSITION(a IN b), TRIM(LEADING 'c' FROM s), CAST(x AS t), date '…',
//     IS [NOT] NULL) plain calls and keywords. No word of the user's
//     reaches the parser, so neither can a keyword of the user's.
//  3. parse.go runs the parser, turning a panic into an error and a syntax
//     error into one at the user's token.
//  4. check.go and functions.go walk the tree with a whitelist of node
//     types, operators and functions (anything else — subqueries, EXISTS,
//     CASE, COLLATE, INTERVAL, bit operators, MATCH … — is refused) and
//     check types.
//  5. render.go writes SQLite.
//
// Input over 16 KiB, nesting deeper than 64 (parentheses, function calls,
// NOT, unary minus, chained arithmetic) and IN lists over 1000 values are
// refused. A long run of ANDs or ORs is not nesting: it renders as a
// balanced tree. A clause whose SQLite expression tree would still be over
// 500 deep is refused, so that SQLite's limit of 1000 is never reached.
//
// # The language
//
// LANGUAGE.md describes it for users. In short:
//
//   - Fields bare (CloudCover), in double quotes ("Name") or in brackets
//     ([Sun Elevation]), matched case-insensitively (ASCII letters only fold:
//     ſ is not s). A double-quoted word
//     is always a field, never a string. A field named like a keyword of
//     the language (Date, Timestamp, Null …) must be quoted or bracketed.
//   - Strings in single quotes, a quote inside written twice, no other escape;
//     integers, decimals and exponents; date 'YYYY-MM-DD' and
//     timestamp 'YYYY-MM-DD HH:MM:SS' (either form after either keyword).
//   - = <> != < <= > >=, AND OR NOT, parentheses, [NOT] LIKE … [ESCAPE 'c'],
//     [NOT] IN (…), [NOT] BETWEEN … AND …, IS [NOT] NULL, + - * / and unary
//     minus on numbers.
//   - UPPER, LOWER, CHAR_LENGTH, ABS, ROUND, FLOOR, CEILING, MOD,
//     EXTRACT(YEAR|MONTH|DAY|HOUR|MINUTE|SECOND FROM d), CURRENT_DATE,
//     CURRENT_TIMESTAMP, TRIM, SUBSTRING(s FROM i [FOR n]),
//     POSITION(a IN b), CAST(x AS INTEGER|SMALLINT|FLOAT|REAL|DOUBLE
//     [PRECISION]|CHAR[(n)]|VARCHAR[(n)]|DATE|TIMESTAMP). Nothing else.
//   - Keywords and function names in any case.
//
// # Decisions
//
//   - The clause must be a condition: a bare field (WHERE CloudCover) is an
//     error. Constant clauses (1=1) are conditions: ArcGIS users select
//     everything that way.
//   - Types are checked. Numbers compare with numbers (INTEGER with REAL),
//     text with text, dates with dates. A string compared with a DATE is
//     accepted only if it is a valid date or timestamp, and becomes the
//     stored form. A string compared with a number, even '5', is an error,
//     as is a number compared with text or a date.
//   - NULL is allowed only in IS [NOT] NULL; x = NULL is an error, not a
//     condition that is never true.
//   - / is real division: 7 / 2 is 3.5, as ArcGIS users expect, where
//     SQLite alone would give 3. Division or MOD by zero gives NULL, so the
//     row is not selected. MOD of two integers is their remainder (%);
//     with a REAL it is fmod.
//   - Integer literals must fit int64; decimals must be finite.
//   - Dates are stored as TEXT 'YYYY-MM-DD HH:MM:SS' (UTC). date '2020-01-31'
//     is midnight, so AcquisitionDate <= date '2020-01-31' excludes the rest
//     of that day. Invalid dates (2020-02-30, 2020-13-01) are errors.
//     CURRENT_DATE is today at midnight UTC, CURRENT_TIMESTAMP now (UTC).
//   - LIKE is case-sensitive, as in a file geodatabase: the catalog
//     connection runs with PRAGMA case_sensitive_like=ON. ESCAPE takes
//     exactly one character.
//   - UPPER and LOWER change ASCII letters only (SQLite's built-ins).
//     CHAR_LENGTH counts characters. ROUND returns a REAL and refuses
//     negative decimals (SQLite would ignore them). SUBSTRING with a start
//     below 1 follows SQLite's substr.
//   - Every rejection is an *[Error] saying what and where ("unknown field
//     "Clodcover" at 1:1 (fields: …)"); Compile never returns a clause it
//     has not fully checked.
package where
