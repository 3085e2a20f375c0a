import { flushPromises, type DOMWrapper } from '@vue/test-utils'

/** Pastes text into an input as a person would: a paste event with clipboard data, then what the browser does. */
export async function paste(input: Pick<DOMWrapper<Element>, 'element' | 'setValue'>, text: string): Promise<void> {
  const event = new Event('paste', { bubbles: true, cancelable: true })
  Object.defineProperty(event, 'clipboardData', { value: { getData: () => text } })
  const accepted = input.element.dispatchEvent(event)
  // When the page did not take the paste over, the browser inserts the text itself.
  if (accepted) await input.setValue(text)
  await flushPromises()
}
