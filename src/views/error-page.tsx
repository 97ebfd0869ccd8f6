import { Layout } from './layout'

export function ErrorPage({ status, message }: { status: number; message: string }) {
  return (
    <Layout title={`Error ${status}`}>
      <h1>{status === 404 ? 'Not found' : 'Something went wrong'}</h1>
      <p class="message error" role="alert">
        {message}
      </p>
      <p>
        <a href="/">Back to the start page</a>
      </p>
    </Layout>
  )
}
