export async function run(): Promise<string[]> {
  return ['not written yet'];
}
