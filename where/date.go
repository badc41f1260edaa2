package where

// ParseDate validates s as 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM:SS' (years 1
// to 9999) and returns it in the form the catalog stores and compares,
// 'YYYY-MM-DD HH:MM:SS'. It is the one rule for dates: a value the catalog
// stores is a value a where clause can name.
func ParseDate(s string) (string, bool) {
	if len(s) != 10 && len(s) != 19 {
		return "", false
	}
	num := func(i, n int) int {
		v := 0
		for _, c := range []byte(s[i : i+n]) {
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	y, m, d := num(0, 4), num(5, 2), num(8, 2)
	if s[4] != '-' || s[7] != '-' || y < 1 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return "", false
	}
	if len(s) == 10 {
		return s + " 00:00:00", true
	}
	hh, mm, ss := num(11, 2), num(14, 2), num(17, 2)
	if s[10] != ' ' || s[13] != ':' || s[16] != ':' || hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 59 {
		return "", false
	}
	return s, true
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
