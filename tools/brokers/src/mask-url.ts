// Credentials never reach logs or error messages: URLs are shown with the password masked.

export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString().replace(/\/$/, "");
  } catch {
    // Not a URL: hide anything between "//" and "@" that could be user:password.
    return url.replace(/\/\/[^@/]*@/, "//***@");
  }
}
