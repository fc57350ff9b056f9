import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { ClockProvider } from './hooks/useNow.ts';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ClockProvider>
      <App />
    </ClockProvider>
  </StrictMode>,
);
