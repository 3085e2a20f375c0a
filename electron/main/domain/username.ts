/** Usernames are unique without regard to case or Unicode compatibility forms. */
export function usernameKey(username: string): string {
  return username.normalize('NFKC').toLowerCase()
}
