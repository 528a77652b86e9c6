package validators

// ForgetBodies empties the memo of XML bodies, so that a benchmark measures a body
// seen for the first time. Not safe while anything is being judged.
func ForgetBodies() { bodies = newBodyMemo() }
