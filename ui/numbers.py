"""Numbers as a learner reads them in prose and in formulas: one rule for significant digits and
one for powers of ten, so the same number reads the same on every page."""

SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def power_of_ten(mantissa, exponent, style="text"):
    """mantissa × 10^exponent written for where it goes: 'text' 1.5e-7 (as Python would read it back),
    'tex' 1.5\\times 10^{-7} (a formula), 'unicode' 1.5 × 10⁻⁷ (a sentence)."""
    exponent = int(exponent)
    if style == "tex":
        return rf"{mantissa}\times 10^{{{exponent}}}"
    if style == "unicode":
        return f"{mantissa} × 10{str(exponent).translate(SUPERSCRIPTS)}"
    return f"{mantissa}e{exponent}"


def significant(value, digits=4, style="text"):
    """``value`` to ``digits`` significant digits (0.001385, 3.737, 2.343e-14), a power of ten
    written by ``power_of_ten``'s style, and never '-0'."""
    value = float(value)
    text = f"{value + 0.0 if value else 0.0:.{digits}g}"        # + 0.0 and the test turn -0.0 into 0
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    return power_of_ten(mantissa, exponent, style)
