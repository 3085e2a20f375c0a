import './styles/base.css'
import { createKeyholdApp } from './app/create-keyhold-app'

const { app } = createKeyholdApp()
app.mount('#app')
