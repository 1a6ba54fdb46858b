/*
 * hex.h -- the value of a hex digit, the one definition shared by
 * libencfield (UUIDs) and the application (URL escapes, JSON \u escapes,
 * bytea columns, flash cookies). Inline: bytea columns call it twice a
 * byte.
 */
#ifndef HEX_H
#define HEX_H

/* The value of the hex digit c (either case), or -1. */
static inline int
hex_digit(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif /* HEX_H */
